"""Server-rendered pages: sign-in, OAuth2 consent and connected applications."""
