"""Microsoft Teams: the Bot Framework edge (activities in, Adaptive Cards out).

The Bot Framework SDK (botbuilder-*) is past its end of support (December 2025). It is used
here and nowhere else, so moving to its successor, the Microsoft 365 Agents SDK, touches
only this folder.
"""

PLATFORM = "teams"
