// The chat server of chapter 16 on tokio: the reference that wb_bench_chat_load measures the wb
// server against. Same protocol, same first line of output, same options:
//
//   TCP, one UTF-8 line per message ("\n"). A client is greeted, named guest-N and put in
//   #general. `/join <room>` moves it (the rooms hear "[server] ... joined/left"), `/nick <name>`
//   renames it, `/quit` leaves. Any other line goes to the others in the room as
//   "[room] nick: text"; the sender does not get it back. A client that falls behind is told
//   "[server] you missed N messages".
//
//   --port N (0: any free port)   --rate-limit N (lines per second per client, 0: off)
//   --history N (lines replayed on join, 0: none)   --idle-timeout S (0: none)   --threads N
//
// Shape: each room is a tokio::sync::broadcast channel of capacity 100; each client is one task
// that selects over its socket's next line, its room's next message, its pending output and the
// shutdown signal. The output waiting for a client is bounded (OUTPUT_LINES lines): past it lines
// are dropped and counted, like the lines a lagging broadcast receiver skips.
use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::time::{sleep_until, Instant};

const ROOM_CAPACITY: usize = 100;
const OUTPUT_LINES: usize = 256; // lines waiting for one client, as the wb server's queue

#[derive(Clone)]
struct Message {
    from: u64, // 0: the server, heard by everyone in the room
    line: Arc<str>,
}

struct Room {
    tx: broadcast::Sender<Message>,
    history: VecDeque<Arc<str>>,
    members: usize,
}

struct Server {
    rooms: Mutex<HashMap<String, Room>>,
    history: usize,
    rate_limit: u32,
    idle: Option<Duration>,
    next_id: AtomicU64,
}

impl Server {
    fn join(&self, room: &str, nick: &str) -> (broadcast::Receiver<Message>, Vec<Arc<str>>) {
        let (rx, history, tx) = {
            let mut rooms = self.rooms.lock().unwrap();
            let r = rooms.entry(room.to_string()).or_insert_with(|| Room {
                tx: broadcast::channel(ROOM_CAPACITY).0,
                history: VecDeque::new(),
                members: 0,
            });
            r.members += 1;
            (
                r.tx.subscribe(),
                r.history.iter().cloned().collect(),
                r.tx.clone(),
            )
        };
        let line: Arc<str> = format!("[server] {nick} joined #{room}\n").into();
        let _ = tx.send(Message { from: 0, line });
        (rx, history)
    }

    fn leave(&self, room: &str, nick: &str) {
        let tx = {
            let mut rooms = self.rooms.lock().unwrap();
            let r = match rooms.get_mut(room) {
                Some(r) => r,
                None => return,
            };
            r.members -= 1;
            if r.members == 0 {
                rooms.remove(room);
                return;
            }
            r.tx.clone()
        };
        let line: Arc<str> = format!("[server] {nick} left #{room}\n").into();
        let _ = tx.send(Message { from: 0, line });
    }

    fn say(&self, room: &str, from: u64, line: Arc<str>) {
        let tx = {
            let mut rooms = self.rooms.lock().unwrap();
            let r = match rooms.get_mut(room) {
                Some(r) => r,
                None => return,
            };
            if self.history > 0 {
                r.history.push_back(line.clone());
                while r.history.len() > self.history {
                    r.history.pop_front();
                }
            }
            r.tx.clone()
        };
        let _ = tx.send(Message { from, line });
    }
}

// What waits to be written to one client: bytes, bounded in lines, and a count of the lines
// dropped. `ends` holds where each queued line ends in `buf`.
struct Output {
    buf: Vec<u8>,
    at: usize,
    ends: VecDeque<usize>,
    missed: u64,
}

impl Output {
    fn push(&mut self, line: &str) {
        if self.missed > 0 {
            if self.ends.len() + 2 > OUTPUT_LINES {
                self.missed += 1;
                return;
            }
            let notice = format!("[server] you missed {} messages\n", self.missed);
            self.missed = 0;
            self.append(&notice);
        } else if self.ends.len() + 1 > OUTPUT_LINES {
            self.missed += 1;
            return;
        }
        self.append(line);
    }
    fn append(&mut self, line: &str) {
        self.buf.extend_from_slice(line.as_bytes());
        self.ends.push_back(self.buf.len());
    }
    fn queued(&self) -> usize {
        self.buf.len() - self.at
    }
    fn pending(&self) -> &[u8] {
        &self.buf[self.at..]
    }
    fn advance(&mut self, n: usize) {
        self.at += n;
        while self.ends.front().map_or(false, |&end| end <= self.at) {
            self.ends.pop_front();
        }
        if self.at == self.buf.len() {
            self.buf.clear();
            self.at = 0;
        } else if self.at > 64 * 1024 {
            let at = self.at;
            self.buf.drain(..at);
            for end in self.ends.iter_mut() {
                *end -= at;
            }
            self.at = 0;
        }
    }
}

// Lines per second with a burst of one second's worth.
struct Bucket {
    rate: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn allow(&mut self) -> bool {
        if self.rate <= 0.0 {
            return true;
        }
        let now = Instant::now();
        let earned = now.duration_since(self.last).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + earned).min(self.rate);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

async fn client(
    server: Arc<Server>,
    stream: TcpStream,
    mut shutdown: watch::Receiver<bool>,
    _alive: mpsc::Sender<()>,
) {
    let _ = stream.set_nodelay(true);
    let id = server.next_id.fetch_add(1, Ordering::Relaxed);
    let mut nick = format!("guest-{id}");
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    let mut out = Output {
        buf: Vec::new(),
        at: 0,
        ends: VecDeque::new(),
        missed: 0,
    };
    out.push(&format!(
        "[server] welcome {nick}, you are in #general (/join <room>, /nick <name>, /quit)\n"
    ));
    let mut room = String::from("general");
    let (mut rx, history) = server.join(&room, &nick);
    for line in history {
        out.push(&line);
    }
    let rate = server.rate_limit as f64;
    let mut bucket = Bucket {
        rate,
        tokens: rate,
        last: Instant::now(),
    };
    let far = Instant::now() + Duration::from_secs(86400 * 365);
    let mut deadline = server.idle.map_or(far, |d| Instant::now() + d);
    let mut goodbye: Option<&str> = None;

    loop {
        tokio::select! {
            line = lines.next_line() => {
                let text = match line {
                    Ok(Some(text)) => text,
                    _ => break,
                };
                if let Some(d) = server.idle {
                    deadline = Instant::now() + d;
                }
                let text = text.trim_end_matches('\r');
                if let Some(arg) = text.strip_prefix("/join") {
                    let name = arg.trim().trim_start_matches('#');
                    if name.is_empty() || name.contains(char::is_whitespace) {
                        out.push("[server] usage: /join <room>\n");
                    } else if name != room {
                        server.leave(&room, &nick);
                        room = name.to_string();
                        let (new_rx, history) = server.join(&room, &nick);
                        rx = new_rx;
                        for line in history {
                            out.push(&line);
                        }
                    }
                } else if let Some(arg) = text.strip_prefix("/nick") {
                    let name = arg.trim();
                    if name.is_empty() || name.contains(char::is_whitespace) {
                        out.push("[server] usage: /nick <name>\n");
                    } else {
                        let line: Arc<str> =
                            format!("[server] {nick} is now {name}\n").into();
                        server.say(&room, 0, line);
                        nick = name.to_string();
                    }
                } else if text == "/quit" {
                    goodbye = Some("[server] bye\n");
                    break;
                } else if text.starts_with('/') {
                    out.push("[server] unknown command (/join <room>, /nick <name>, /quit)\n");
                } else if !text.is_empty() {
                    if bucket.allow() {
                        let line: Arc<str> = format!("[{room}] {nick}: {text}\n").into();
                        server.say(&room, id, line);
                    } else {
                        out.push("[server] rate limit: line dropped\n");
                    }
                }
            }
            message = rx.recv() => match message {
                Ok(m) => {
                    if m.from != id {
                        out.push(&m.line);
                    }
                }
                Err(RecvError::Lagged(n)) => out.missed += n,
                Err(RecvError::Closed) => break,
            },
            written = writer.write(out.pending()), if out.queued() > 0 => match written {
                Ok(n) if n > 0 => out.advance(n),
                _ => break,
            },
            _ = shutdown.changed() => {
                goodbye = Some("[server] shutting down\n");
                break;
            }
            _ = sleep_until(deadline) => {
                goodbye = Some("[server] idle for too long, goodbye\n");
                break;
            }
        }
    }
    server.leave(&room, &nick);
    if let Some(last) = goodbye {
        out.push(last);
        let _ =
            tokio::time::timeout(Duration::from_millis(200), writer.write_all(out.pending())).await;
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: tokio_chat [--port N] [--rate-limit N] [--history N] [--idle-timeout S] [--threads N]"
    );
    std::process::exit(2);
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> T {
    value.parse().unwrap_or_else(|_| {
        eprintln!("tokio_chat: {flag} needs a number, got {value:?}");
        std::process::exit(2)
    })
}

fn main() {
    let mut port: u16 = 7000;
    let mut rate_limit: u32 = 10;
    let mut history: usize = 20;
    let mut idle_timeout: u64 = 300;
    let mut threads: usize = 0;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--port" => port = number(&flag, &value),
            "--rate-limit" => rate_limit = number(&flag, &value),
            "--history" => history = number(&flag, &value),
            "--idle-timeout" => idle_timeout = number(&flag, &value),
            "--threads" => threads = number(&flag, &value),
            _ => usage(),
        }
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if threads > 0 {
        builder.worker_threads(threads);
    }
    let runtime = builder.enable_all().build().expect("tokio runtime");
    let server = Arc::new(Server {
        rooms: Mutex::new(HashMap::new()),
        history,
        rate_limit,
        idle: (idle_timeout > 0).then(|| Duration::from_secs(idle_timeout)),
        next_id: AtomicU64::new(1),
    });
    runtime.block_on(serve(server, port));
}

async fn serve(server: Arc<Server>, port: u16) {
    let listener = match TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tokio_chat: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    println!("listening on {}", listener.local_addr().unwrap());
    let _ = std::io::stdout().flush();
    let (stop, stopped) = watch::channel(false);
    let (alive, mut all_gone) = mpsc::channel::<()>(1);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(client(server.clone(), stream, stopped.clone(), alive.clone()));
                }
                Err(e) => {
                    // Out of file descriptors, most often: wait a little rather than spin.
                    eprintln!("tokio_chat: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            _ = &mut ctrl_c => break,
        }
    }
    let _ = stop.send(true);
    drop(alive);
    let _ = tokio::time::timeout(Duration::from_secs(2), all_gone.recv()).await;
    eprintln!("tokio_chat: stopped");
}
