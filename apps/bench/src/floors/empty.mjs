// The floor of "start+join": a raw Worker or child_process.fork of a module that does nothing.
