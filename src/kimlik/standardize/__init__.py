"""Pure functions that turn one raw value into its canonical form, with the issues found.

No function here touches the database, the network or global state, so each can be
called from worker processes and tested with tables of named cases.
"""
