from pystocksharp.cli import main

main()
