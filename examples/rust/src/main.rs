//! A tiny HTTP service for the Dockerfile examples (std only, no dependencies).
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

fn greeting(name: Option<&str>) -> String {
    format!("hello, {}\n", name.unwrap_or("world"))
}

fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    let listener = TcpListener::bind(format!("0.0.0.0:{port}"))?;
    println!("listening on :{port}");
    for stream in listener.incoming() {
        let mut stream = stream?;
        let mut request_line = String::new();
        BufReader::new(&stream).read_line(&mut request_line)?;
        let name = request_line
            .split_whitespace()
            .nth(1)
            .and_then(|path| path.split_once("name="))
            .map(|(_, v)| v.split('&').next().unwrap_or(v).to_owned());
        let body = greeting(name.as_deref());
        write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{}", body.len(), body)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn greets() {
        assert_eq!(super::greeting(None), "hello, world\n");
        assert_eq!(super::greeting(Some("docker")), "hello, docker\n");
    }
}
