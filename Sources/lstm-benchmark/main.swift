print("lstm-benchmark: not built yet")
