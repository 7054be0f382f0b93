import DumpTool
import Glibc
import SystemCalls

// logstore-dump: checks, reads and exports a LogStore store directory. `--help` lists the
// commands. A reader that goes away (`logstore-dump export DIR | head`) ends the export quietly.
signal(SIGPIPE, SIG_IGN)
exit(DumpTool.run(Array(CommandLine.arguments.dropFirst())))
