"""The use cases both front ends call: the command line and the screens."""
