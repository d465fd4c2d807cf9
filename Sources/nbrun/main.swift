import NBRunCLI

NBRunCommand.main()
