"""Pure functions over lists of events. Nothing here touches storage or the web."""
