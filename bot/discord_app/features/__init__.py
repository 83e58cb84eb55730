"""The Discord features, one `commands.Cog` a module, each loaded by name (see `FaqBot`)."""
