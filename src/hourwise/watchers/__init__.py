"""Hourwise's own watchers: record the active window and AFK state on Linux (X11).

They run as ``hourwise watch`` or inside ``hourwise serve``, and talk to the server only
over HTTP, exactly as ActivityWatch's watchers do, so they can record to any
ActivityWatch-compatible server. See docs/watchers.md.
"""
