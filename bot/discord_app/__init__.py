"""The Discord adapter (imports discord.py; the core never does)."""
