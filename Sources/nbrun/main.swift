print("nbrun: not built yet")
