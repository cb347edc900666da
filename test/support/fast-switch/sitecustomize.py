"""Loaded by Python at start-up when this directory is on PYTHONPATH (test/integ/emulator-load.integ.ts): the emulator
switches threads every microsecond instead of every 5 ms, so a thread is often interrupted in the middle of walking
a dict, as it is rarely on an idle machine and more often on a loaded one. Behaviour is otherwise unchanged."""

import sys

sys.setswitchinterval(1e-6)
