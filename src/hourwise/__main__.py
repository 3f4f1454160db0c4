from hourwise.cli import main

main()
