"""The digital assistant: understanding, answering, summarising; plain Python."""
