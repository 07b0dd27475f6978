# Makes the package's /etc/smartroute/smartroute.toml from examples/smartroute.toml: the same
# keys and comments, with the sample entries of [[employees]], [[schedules]] and [[exceptions]]
# commented out, since on a real PBX they would exclude, rename or take off duty employees who
# happen to have the sample ids or groups.
#   awk -f packaging/etc-config.awk examples/smartroute.toml > smartroute.toml
NR == 1 {
  print "# /etc/smartroute/smartroute.toml, installed by the smartroute package from"
  print "# /usr/share/doc/smartroute/examples/smartroute.toml with its sample [[employees]],"
  print "# [[schedules]] and [[exceptions]] commented out. Readable by root and the smartroute"
  print "# group only. Reference: man smartroute.toml; check it with 'smartroute config check'."
  print "#"
}
/^\[\[(employees|schedules|exceptions)\]\]/ { sample = 1 }
/^\[/ && !/^\[\[(employees|schedules|exceptions)\]\]/ { sample = 0 }
sample && !/^[ \t]*(#|$)/ { print "# " $0; next }
{ print }
