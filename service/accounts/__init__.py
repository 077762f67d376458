"""People's accounts beside the API keys: passwords, tokens, sessions, CSRF, sign-in
throttling and invitation emails, one module each. The store keeps the rows
(``service.store.accounts``); the routes and the intranet pages call ``service.accounts.signin``.
"""
