"""Measurement, framework-free: numpy only, no Django; persons in rows, items in columns; frozen results;
random generators passed in by the caller.

* :func:`readiness.pass_probability`: the chance of passing a form from practice answers by content
  area, with its uncertainty.
"""
