"""Contact laws, one per module (physics.md §1, §4); ``law.evaluate`` combines them for one contact."""
