"""Example Forum workbooks and the script that generates them (see ``workbooks.generate``)."""
