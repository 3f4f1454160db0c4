"""Who is asking: request principals (accounts and keys arrive in a later release)."""
