//! The outbox is delivered over SMTP when one is configured.

use crate::helpers::{spawn_app, DAY};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A minimal SMTP server on loopback that records each message's DATA.
async fn fake_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake ESMTP\r\n").await.ok();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(std::mem::take(body));
                            data = None;
                            write.write_all(b"250 queued\r\n").await.ok();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn queued_mail_is_sent_over_smtp_once_and_marked_sent() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let o = owner.overview().await;
    app.advance(
        &account,
        (o.current_period_end - o.current_period_start).num_seconds() + DAY,
    )
    .await;
    let queued = app.emails(&account).await;
    assert!(queued
        .iter()
        .any(|e| e.kind == "invoice_paid" && e.sent_at.is_none()));

    let (port, received) = fake_smtp().await;
    let transport = billing_api::mail::transport(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let from = billing_api::mail::sender();
    let sent = billing_api::mail::deliver_pending(&app.state, &transport, &from)
        .await
        .unwrap();
    assert!(sent >= 1);
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), sent);
    let receipt = messages
        .iter()
        .find(|m| m.contains("Receipt for INV-000002"))
        .expect("the receipt went out");
    assert!(receipt.contains(&account.user("owner").unwrap().email));
    // Marked sent: a second pass sends nothing again.
    assert!(app
        .emails(&account)
        .await
        .iter()
        .all(|e| e.sent_at.is_some()));
    assert_eq!(
        billing_api::mail::deliver_pending(&app.state, &transport, &from)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn an_unreachable_smtp_server_keeps_mail_in_the_outbox() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let member = app.signed_in(&account, "member").await;
    member
        .post("/api/access-requests")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        app.emails(&account).await.len(),
        1,
        "the owner's notice is queued"
    );
    // A port nothing listens on.
    let port = {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let transport = billing_api::mail::transport(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let sent =
        billing_api::mail::deliver_pending(&app.state, &transport, &billing_api::mail::sender())
            .await
            .unwrap();
    assert_eq!(sent, 0);
    assert!(
        app.emails(&account)
            .await
            .iter()
            .all(|e| e.sent_at.is_none()),
        "nothing is lost"
    );
}
