// The Go benchmark server: net/http, one process, GOMAXPROCS from the CPUs, a pre-rendered body.
// Usage: go-json [PORT] (or env PORT). Prints "ready PID PORT" once it listens.
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	port := os.Getenv("PORT")
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	if port == "" {
		port = "3000"
	}
	body, err := json.Marshal(map[string]string{"message": "Hello, World!"})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("ready %d %s\n", os.Getpid(), port)
	log.Fatal(http.Serve(ln, mux))
}
