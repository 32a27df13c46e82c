"""crisisbot's core: everything that does not depend on a chat platform."""
