"""RescueTime's developer API: ``/anapi/*`` (API key) and ``/api/oauth/*`` (access token).

Not mounted yet: the accounts work resolves keys and scopes into an
:class:`~hourwise.api.rescuetime.routes.AnalyticsContext` and mounts
:func:`~hourwise.api.rescuetime.routes.build_router`.
"""
