"""`sdm-tui serve`: the app in a browser, through textual-serve, with the doors shut.

security.py holds the checks (token, cookie, Host, Origin, headers); server.py the
aiohttp server built on textual-serve's; cli.py the command. Only server.py imports
aiohttp and textual-serve.
"""
