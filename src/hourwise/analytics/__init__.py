"""Raw events become insight: activities, RescueTime's tables and daily summaries."""
