"""The transforms on event lists kept in columns (``EventFrame``): what the query engine runs."""
