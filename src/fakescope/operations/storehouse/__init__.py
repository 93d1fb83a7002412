"""The storehouse of physical samples: where each is (room, shelf, bin), who has it, how long it must stay.

Retention runs from the case's close; legal holds and retention both refuse disposal.
"""
