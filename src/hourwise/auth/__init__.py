"""Who a request is: principals, API key secrets, passwords, failed-authentication limits."""
