"""Interviews in and out as spreadsheets: the export's rows (streamed, every cell defused so none runs as a
formula) and the import's parsing, validation and storing of a team's earlier notes. No Slack in here."""
