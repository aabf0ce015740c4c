"""The only home of I/O: database engine, HTTP clients, Graph, file storage."""
