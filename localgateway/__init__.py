"""A local stand-in for the Imbrace gateway, built to docs/contract/.

It shares no code with the console's gateway client: it is an independent
implementation of the contract, so the console is tested against what it will
meet rather than against its own assumptions.
"""
