"""The two ways ciptool touches a file it did not make: a bounded read of a regular file, and
an atomic write that never replaces an input, a device or a folder it does not own.
"""
