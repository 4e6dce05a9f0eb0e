"""The mixer: its set-up from a run config (``scenario``: geometry, inlets, engine, time step), its run loop
into a run file (``runner``: MixerRun) and runs at several rotor speeds (``sweep``)."""
