// A tiny HTTP responder in C++: it replies to every request with a short text page. It uses the C++
// standard library (std::string, std::thread, exceptions), so it needs libstdc++.so.6 and
// libgcc_s.so.1. A kernel built with hidden symbols does not export them, so the image builder adds
// them from the host unless the kernel bundle lists libstdc++.so.6 as provided.
//
// Usage: cpp-http.so [PORT]   (default port 8080)

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

std::atomic<unsigned long> served{0};

std::string make_response(const std::string& request)
{
    std::string first_line = request.substr(0, request.find("\r\n"));
    std::string body = "Hello from C++ on OSv\nrequest: " + first_line + "\nserved: " +
                       std::to_string(served.fetch_add(1) + 1) + "\n";
    return "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

void serve(int client)
{
    char buffer[4096];
    ssize_t received = recv(client, buffer, sizeof(buffer), 0);
    if (received > 0) {
        std::string response = make_response(std::string(buffer, static_cast<size_t>(received)));
        send(client, response.data(), response.size(), 0);
    }
    close(client);
}

int listen_on(int port)
{
    int server = socket(AF_INET, SOCK_STREAM, 0);
    if (server < 0) {
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    }

    int yes = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));

    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(server, reinterpret_cast<sockaddr*>(&address), sizeof(address)) < 0 || listen(server, 16) < 0) {
        throw std::runtime_error("cannot listen on port " + std::to_string(port) + ": " + std::strerror(errno));
    }
    return server;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        int port = argc > 1 ? std::stoi(argv[1]) : 8080;
        int server = listen_on(port);
        std::cout << "cpp-http: listening on port " << port << std::endl;
        for (;;) {
            int client = accept(server, nullptr, nullptr);
            if (client >= 0) {
                std::thread(serve, client).detach();
            }
        }
    } catch (const std::exception& error) {
        std::cerr << "cpp-http: " << error.what() << std::endl;
        return 1;
    }
}
