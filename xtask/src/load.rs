//! Load for the benchmarks: `wrk` (Debian's package, installed when missing
//! and this runs as root), else a multi-threaded keep-alive client of our
//! own; and a small keep-alive HTTP/1.1 connection for the requests a
//! benchmark makes before it loads a server (signing in, checking a route).

use crate::util::{self, note, Failure};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What loads the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    /// `wrk -t2 -cN -dS --latency`.
    Wrk,
    /// [`own_load`]: one thread per connection.
    Own,
}

impl Generator {
    /// `wrk`, installing it when missing (as root, with apt-get); our own
    /// client when it cannot be had.
    pub fn find() -> Generator {
        if has_wrk() {
            note("load generator: wrk");
            return Generator::Wrk;
        }
        if util::output_line("id", &["-u"]).as_deref() != Some("0") {
            note("load generator: wrk is missing and this is not root; using xtask's own client");
            return Generator::Own;
        }
        note("load generator: installing wrk (apt-get install -y wrk)");
        let apt = |args: &[&str]| {
            Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        // The package lists may be stale or absent on a fresh machine.
        if !apt(&["install", "-y", "-q", "wrk"]) {
            apt(&["update", "-q"]);
            apt(&["install", "-y", "-q", "wrk"]);
        }
        if has_wrk() {
            Generator::Wrk
        } else {
            note("load generator: wrk could not be installed; using xtask's own client");
            Generator::Own
        }
    }

    /// How the load is made, for the report.
    pub fn describe(self, connections: usize, seconds: u64) -> String {
        match self {
            Generator::Wrk => format!("wrk -t2 -c{connections} -d{seconds}s --latency"),
            Generator::Own => {
                format!("xtask's own keep-alive client, {connections} connections, {seconds} s")
            }
        }
    }
}

fn has_wrk() -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("wrk").is_file()))
}

/// One load's figures.
#[derive(Debug, Clone)]
pub struct Figures {
    pub requests_per_sec: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// Responses that were not 2xx or 3xx, and failed connections.
    pub errors: u64,
    /// What those were, as the load generator reported them.
    pub error_report: String,
}

impl Figures {
    /// `9,800 req/s, p50 4.1 ms, p99 8.7 ms`.
    pub fn summary(&self) -> String {
        format!(
            "{} req/s, p50 {}, p99 {}",
            thousands(self.requests_per_sec),
            millis(self.p50),
            millis(self.p99)
        )
    }
}

/// `GET url` with `headers` on `connections` keep-alive connections for
/// `seconds`.
pub fn run(
    generator: Generator,
    url: &str,
    headers: &[String],
    connections: usize,
    seconds: u64,
) -> Result<Figures, Failure> {
    match generator {
        Generator::Wrk => wrk(url, headers, connections, seconds),
        Generator::Own => own_load(url, headers, connections, seconds),
    }
}

fn wrk(
    url: &str,
    headers: &[String],
    connections: usize,
    seconds: u64,
) -> Result<Figures, Failure> {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t2",
        &format!("-c{connections}"),
        &format!("-d{seconds}s"),
        "--latency",
    ]);
    for h in headers {
        cmd.args(["-H", h]);
    }
    let out = cmd
        .arg(url)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Failure(format!("running wrk: {e}")))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(Failure(format!(
            "wrk failed ({}): {text}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    parse_wrk(&text).ok_or_else(|| Failure(format!("could not read wrk's report:\n{text}")))
}

/// Reads `Requests/sec`, the 50% and 99% latencies and the error counts
/// from wrk's `--latency` report.
fn parse_wrk(text: &str) -> Option<Figures> {
    let mut rps = None;
    let mut p50 = None;
    let mut p99 = None;
    let mut errors = 0;
    let mut error_report = Vec::new();
    for line in text.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("Requests/sec:"), Some(n)) => rps = n.parse::<f64>().ok(),
            (Some("50.000%" | "50%"), Some(t)) => p50 = wrk_time(t),
            (Some("99.000%" | "99%"), Some(t)) => p99 = wrk_time(t),
            _ => {}
        }
        if let Some(n) = line.strip_prefix("Non-2xx or 3xx responses:") {
            errors += n.trim().parse::<u64>().unwrap_or(0);
            error_report.push(line);
        }
        if let Some(rest) = line.strip_prefix("Socket errors:") {
            error_report.push(line);
            // connect 0, read 0, write 0, timeout 0
            errors += rest
                .split(',')
                .filter_map(|part| part.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    Some(Figures {
        requests_per_sec: rps?,
        p50: p50?,
        p99: p99?,
        errors,
        error_report: error_report.join("; "),
    })
}

/// wrk's `812.00us`, `4.10ms`, `1.02s`, `1.50m`.
fn wrk_time(t: &str) -> Option<Duration> {
    let (number, scale) = if let Some(n) = t.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        return None;
    };
    number
        .parse::<f64>()
        .ok()
        .map(|n| Duration::from_secs_f64(n * scale))
}

/// The fallback: one thread per connection, each sending requests one after
/// another on its keep-alive connection until the time is up.
fn own_load(
    url: &str,
    headers: &[String],
    connections: usize,
    seconds: u64,
) -> Result<Figures, Failure> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| Failure(format!("not an http:// URL: {url}")))?;
    let (addr, path) = match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.to_string(), "/".to_string()),
    };
    let header_block: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    let request = Arc::new(format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{header_block}\r\n"
    ));
    let times = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let errors = Arc::new(Mutex::new(0u64));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let (addr, request) = (addr.clone(), request.clone());
            let (times, errors) = (times.clone(), errors.clone());
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                let mut failed = 0u64;
                let mut conn = Conn::open(&addr).ok();
                while Instant::now() < deadline {
                    let Some(c) = conn.as_mut() else {
                        failed += 1;
                        conn = Conn::open(&addr).ok();
                        continue;
                    };
                    let t = Instant::now();
                    match c.send_raw(request.as_bytes()) {
                        Some(r) if r.status < 400 => mine.push(t.elapsed()),
                        Some(_) => failed += 1,
                        None => {
                            failed += 1;
                            conn = Conn::open(&addr).ok();
                        }
                    }
                }
                times.lock().unwrap_or_else(|p| p.into_inner()).extend(mine);
                *errors.lock().unwrap_or_else(|p| p.into_inner()) += failed;
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut times = std::mem::take(&mut *times.lock().unwrap_or_else(|p| p.into_inner()));
    if times.is_empty() {
        return Err(Failure(format!("no request to {url} succeeded")));
    }
    times.sort();
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    let errors = *errors.lock().unwrap_or_else(|p| p.into_inner());
    Ok(Figures {
        requests_per_sec: times.len() as f64 / elapsed,
        p50: pct(50),
        p99: pct(99),
        errors,
        error_report: format!("{errors} requests failed or were refused"),
    })
}

/// A response: status, headers (lines as sent) and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<String>,
    pub body: String,
}

impl Response {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|h| {
            let (n, v) = h.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// One keep-alive HTTP/1.1 connection (bodies framed by Content-Length).
pub struct Conn {
    reader: BufReader<TcpStream>,
    addr: String,
}

impl Conn {
    /// Connects to `addr` (`host:port`).
    pub fn open(addr: &str) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            reader: BufReader::new(stream),
            addr: addr.to_string(),
        })
    }

    /// Sends `method path` with a cookie (empty for none) and a JSON body
    /// (empty for none).
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        cookie: &str,
        body: &str,
    ) -> Option<Response> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        if !cookie.is_empty() {
            req.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        if !body.is_empty() {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        } else if method != "GET" {
            req.push_str("Content-Length: 0\r\n");
        }
        req.push_str("\r\n");
        req.push_str(body);
        self.send_raw(req.as_bytes())
    }

    /// Sends a whole request as it is and reads the response.
    fn send_raw(&mut self, request: &[u8]) -> Option<Response> {
        self.reader.get_mut().write_all(request).ok()?;
        let mut line = String::new();
        self.reader.read_line(&mut line).ok()?;
        let status = line.split_whitespace().nth(1)?.parse().ok()?;
        let mut headers = Vec::new();
        let mut length = 0usize;
        loop {
            line.clear();
            if self.reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok()?;
                }
            }
            headers.push(header.to_string());
        }
        let mut body = vec![0u8; length];
        self.reader.read_exact(&mut body).ok()?;
        Some(Response {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// `36,000` (rounded to a whole number).
pub fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `4.1 ms` (`0.81 ms` below one).
pub fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 1.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrks_latency_report_is_read() {
        let report = "Running 6s test @ http://127.0.0.1:8080/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.01ms    1.10ms  30.12ms   90.00%
    Req/Sec    16.10k     1.20k   19.00k    70.00%
  Latency Distribution
     50%  812.00us
     75%    2.10ms
     90%    3.00ms
     99%    8.70ms
  193204 requests in 6.00s, 24.14MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  32199.52
Transfer/sec:      4.02MB
";
        let f = parse_wrk(report).expect("read");
        assert_eq!(f.requests_per_sec, 32199.52);
        assert_eq!(f.p50, Duration::from_micros(812));
        assert_eq!(f.p99, Duration::from_micros(8700));
        assert_eq!(f.errors, 7);
        assert_eq!(
            f.error_report,
            "Socket errors: connect 0, read 2, write 0, timeout 1; Non-2xx or 3xx responses: 4"
        );
    }

    #[test]
    fn figures_are_printed_for_people() {
        assert_eq!(thousands(36_000.4), "36,000");
        assert_eq!(thousands(980.0), "980");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(millis(Duration::from_micros(4_100)), "4.1 ms");
        assert_eq!(millis(Duration::from_micros(812)), "0.81 ms");
    }
}
