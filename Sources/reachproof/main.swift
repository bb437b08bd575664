import ArgumentParser

Reachproof.main()
