package main

import "syscall"

// childAttr makes an instance die with the soak, so that a killed soak
// leaves no instance behind.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
