"""How ciptool touches a file it did not make: a bounded read of a regular file, an atomic
write that never replaces an input, a device or a folder it does not own, and marshalled data
read back without running what it holds.
"""
