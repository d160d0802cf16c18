"""The planning cycle after tracking: re-plan the rest of a period, roll into the next."""
