"""Plain-Python domain: tables, value types and errors shared by every channel.

Nothing in this package may import Reflex or any network client: the channels' logic is
tested on its own and the Reflex layer stays a thin shell on top.
"""
