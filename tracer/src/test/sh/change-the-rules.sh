# What a command tries against the kernel engine's rules (run by sh -c in the command's namespaces, with ./prog.tst
# a file the rule "tst" applies to): each attempt's exit status, the mount's options, and whether the rule still
# applies. Shared by tracer's KernelEngineIT (on the host) and cli's KernelEngineInUserNamespaceIT.
b=/proc/sys/fs/binfmt_misc
printf ':tst:E::tst::/bin/false:' > $b/register 2>/dev/null; echo "register $?"
echo -1 > $b/tst 2>/dev/null; echo "remove $?"
mount -o remount,rw $b 2>/dev/null; echo "remount-rw $?"
mount -o remount,bind,rw $b 2>/dev/null; echo "bind-remount-rw $?"
umount $b 2>/dev/null; echo "umount $?"
awk '$5 == "/proc/sys/fs/binfmt_misc" { print $6 }' /proc/self/mountinfo
./prog.tst still
