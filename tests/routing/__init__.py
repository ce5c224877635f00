"""Tests of the RDL router (wlpmask.routing), grouped like its source."""
