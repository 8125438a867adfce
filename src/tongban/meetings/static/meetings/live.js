/* The meeting room (/meetings/<pk>/live/): joins the meeting's Janus VideoRoom with a ticket from
 * the platform, publishes the camera and microphone, subscribes to every other site, and follows
 * the room's state (the chair's mute / video off / main site / admission / removal / recording)
 * by polling the platform every two seconds. The chair's panel calls the video API.
 *
 * No framework, ES2017. Every sentence comes from the page (a JSON script tag rendered by Django,
 * so it is translated there). Depends on adapter.js and janus.js (vendored, loaded before).
 *
 * For tests: window.tbLive = {framesDecoded(), subscribedFeeds(), state, phase, leave()}. */
(function () {
  'use strict';

  const cfgEl = document.getElementById('tb-live-config');
  const root = document.getElementById('tb-live');
  if (!cfgEl || !root) return;
  const cfg = JSON.parse(cfgEl.textContent);
  const S = cfg.strings;
  const $ = (id) => document.getElementById(id);

  const live = {
    phase: 'idle',          // idle → ticket → lobby | connecting → joining → in ; notopen, removed, ended, left, error
    ticket: null,
    janus: null,
    pub: null,              // the publisher handle
    myFeed: null,
    privateId: null,
    published: false,
    subs: new Map(),        // feed id → {feed, attendeeId, handle, video, audio}
    tiles: new Map(),       // attendee id → tile element (remote sites)
    selfTile: null,
    state: null,
    selfMuted: false,       // my own choice (local only)
    selfCamOff: false,
    chairMuted: false,      // held by the chair (enforced by the server in Janus)
    chairCamOff: false,
    retryAt: 0,
    pollTimer: null,
    panelKey: '',
  };

  // --- small helpers ----------------------------------------------------------------------------

  function fmt(s, params) {
    return String(s).replace(/\{(\w+)\}/g, (m, k) => (params && k in params ? String(params[k]) : m));
  }

  function csrfToken() {
    const input = root.querySelector('input[name=csrfmiddlewaretoken]');
    if (input && input.value) return input.value;
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : '';
  }

  async function api(method, url, body, extra) {
    const opts = Object.assign({ method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } }, extra || {});
    if (method !== 'GET') {
      opts.headers['Content-Type'] = 'application/json';
      opts.headers['X-CSRFToken'] = csrfToken();
      opts.body = JSON.stringify(body || {});
    }
    const r = await fetch(url, opts);
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (!r.ok) {
      let detail = data && data.detail;
      if (Array.isArray(detail)) detail = detail.map((d) => d.msg || String(d)).join('；');
      const err = new Error(detail || r.statusText || String(r.status));
      err.status = r.status;
      err.code = (data && data.code) || '';
      throw err;
    }
    return data;
  }

  // Reports of our own state (joined, left) are idempotent: a server error or a
  // dropped connection is retried a few times before the page gives up.
  async function apiRetry(method, url, body) {
    const waits = [500, 1000, 2000];
    for (let i = 0; ; i++) {
      try {
        return await api(method, url, body);
      } catch (e) {
        const retriable = !e.status || e.status >= 500;
        if (!retriable || i >= waits.length) throw e;
        await new Promise((res) => setTimeout(res, waits[i]));
      }
    }
  }

  function setStatus(text) {
    const el = $('live-status');
    if (el) el.textContent = text || '';
  }

  function notice(kind, text) {
    const el = $('live-notice');
    if (!el) return;
    if (!text) { el.hidden = true; el.textContent = ''; return; }
    el.className = 'alert alert-' + kind;
    el.textContent = text;
    el.hidden = false;
  }

  function hideServerMessages() {
    root.querySelectorAll('[id^="live-msg-"]').forEach((el) => { el.hidden = true; });
  }

  function parseDisplay(display) {
    const m = /^(\d+)\|/.exec(display || '');
    return m ? parseInt(m[1], 10) : null;
  }

  function participant(attendeeId) {
    if (!live.state || !live.state.participants) return null;
    return live.state.participants.find((p) => p.attendee_id === attendeeId) || null;
  }

  function roomPin() {
    return live.ticket && live.ticket.pin ? String(live.ticket.pin) : undefined;
  }

  // --- tiles -------------------------------------------------------------------------------------

  function makeTile(attendeeId, isSelf) {
    const fig = document.createElement('figure');
    fig.className = 'tb-live-tile';
    fig.dataset.attendee = String(attendeeId || '');
    fig.dataset.audioMuted = '0';
    fig.dataset.videoOff = '0';
    fig.dataset.hasVideo = '0';
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true;   // sound goes through the <audio> element (a muted video may always autoplay)
    fig.appendChild(video);
    const nov = document.createElement('div');
    nov.className = 'tb-live-novideo';
    nov.innerHTML = '<i class="bi bi-camera-video-off" aria-hidden="true"></i>';
    fig.appendChild(nov);
    if (!isSelf) {
      const audio = document.createElement('audio');
      audio.autoplay = true;
      fig.appendChild(audio);
    }
    const badge = document.createElement('span');
    badge.className = 'tb-live-badge';
    badge.hidden = true;
    fig.appendChild(badge);
    const cap = document.createElement('figcaption');
    cap.className = 'tb-live-caption';
    const name = document.createElement('span');
    name.className = 'tb-live-name';
    const unit = document.createElement('span');
    unit.className = 'tb-live-unit';
    const mic = document.createElement('i');
    mic.className = 'bi bi-mic-mute-fill tb-live-icon tb-live-icon-mic';
    mic.setAttribute('role', 'img');
    mic.setAttribute('aria-label', S.mutedShort);
    const cam = document.createElement('i');
    cam.className = 'bi bi-camera-video-off-fill tb-live-icon tb-live-icon-cam';
    cam.setAttribute('role', 'img');
    cam.setAttribute('aria-label', S.videoOffShort);
    cap.append(name, unit, mic, cam);
    fig.appendChild(cap);
    if (isSelf) name.textContent = S.me;
    return fig;
  }

  function playAll(el) {
    el.querySelectorAll('video, audio').forEach((m) => {
      if (!m.srcObject) return;
      const p = m.play();
      if (p && p.catch) {
        p.catch(() => {
          if (m.tagName === 'AUDIO') { const b = $('live-sound'); if (b) b.hidden = false; }
        });
      }
    });
  }

  function remoteTile(attendeeId) {
    let tile = live.tiles.get(attendeeId);
    if (!tile) {
      tile = makeTile(attendeeId, false);
      live.tiles.set(attendeeId, tile);
      labelTile(tile, participant(attendeeId));
    }
    return tile;
  }

  function labelTile(tile, p) {
    if (!p) return;
    tile.querySelector('.tb-live-name').textContent = p.venue && p.role === 'terminal' ? p.venue : p.name;
    const unit = p.role === 'terminal' ? p.unit || '' : [p.unit, p.venue].filter(Boolean).join(' · ');
    tile.querySelector('.tb-live-unit').textContent = unit;
    tile.dataset.audioMuted = p.audio_muted ? '1' : '0';
    tile.dataset.videoOff = p.video_off ? '1' : '0';
    const badge = tile.querySelector('.tb-live-badge');
    if (p.role === 'chair') { badge.textContent = S.chairRole; badge.hidden = false; } else { badge.hidden = true; }
  }

  function ensureSelfTile() {
    if (live.selfTile) return live.selfTile;
    live.selfTile = makeTile(cfg.meAttendeeId, true);
    live.selfTile.classList.add('tb-live-me');
    $('live-self').appendChild(live.selfTile);
    return live.selfTile;
  }

  function mainAttendeeId() {
    const st = live.state;
    if (st && st.main_attendee) return st.main_attendee;
    if (st && st.participants) {
      const chair = st.participants.find((p) => p.role === 'chair' && p.online);
      if (chair) return chair.attendee_id;
      const mainTerminal = st.participants.find((p) => p.role === 'terminal' && p.online);
      if (mainTerminal) return mainTerminal.attendee_id;
    }
    return null;
  }

  function place(el, parent) {
    if (el.parentNode !== parent) {
      parent.appendChild(el);
      playAll(el);
    }
  }

  function layout() {
    const mainBox = $('live-main');
    const grid = $('live-grid');
    if (!mainBox || !grid) return;
    let mainId = mainAttendeeId();
    const me = cfg.meAttendeeId;
    if (mainId !== me && !live.tiles.has(mainId)) {
      // the chosen site is not here (yet): show the first site that is
      mainId = live.tiles.size ? live.tiles.keys().next().value : null;
    }
    const order = Array.from(live.tiles.keys()).sort((a, b) => rank(a) - rank(b) || a - b);
    let shown = 0;
    let hidden = 0;
    order.forEach((id) => {
      const tile = live.tiles.get(id);
      tile.dataset.main = id === mainId ? '1' : '0';
      if (id === mainId) { place(tile, mainBox); tile.hidden = false; return; }
      place(tile, grid);
      if (shown < cfg.gridSites) { tile.hidden = false; shown += 1; } else { tile.hidden = true; hidden += 1; }
    });
    if (live.selfTile) {
      live.selfTile.dataset.main = mainId === me ? '1' : '0';
      place(live.selfTile, mainId === me && me ? mainBox : $('live-self'));
    }
    const more = $('live-more');
    if (more) { more.hidden = hidden === 0; more.textContent = hidden ? fmt(S.moreSites, { n: hidden }) : ''; }
  }

  function rank(attendeeId) {
    const p = participant(attendeeId);
    if (!p) return 9;
    return { chair: 0, terminal: 1, presenter: 2, organiser: 4 }[p.role] || 3;
  }

  // --- joining ----------------------------------------------------------------------------------

  let janusReady = null;
  function initJanus() {
    if (!janusReady) {
      janusReady = new Promise((resolve) => {
        Janus.init({ debug: false, dependencies: Janus.useDefaultDependencies(), callback: resolve });
      });
    }
    return janusReady;
  }

  async function getTicket() {
    live.phase = 'ticket';
    setStatus(S.connecting);
    let t;
    try {
      t = await api('POST', cfg.urls.ticket, {});
    } catch (e) {
      if (e.code === 'meetings.removed') { showRemoved(); return; }
      if (e.code === 'meetings.room_not_open') { live.phase = 'notopen'; setStatus(''); notice('info', S.notOpen); return; }
      if (e.code === 'meetings.video_not_configured') { live.phase = 'error'; notice('secondary', S.notConfigured); return; }
      if (e.status === 403 || e.status === 404 || e.code === 'meetings.not_video') {
        live.phase = 'error';
        notice('danger', fmt(S.fatalError, { error: e.message }));
        return;
      }
      live.phase = 'idle';
      live.retryAt = Date.now() + 5000;
      notice('warning', fmt(S.janusError, { error: e.message }));
      return;
    }
    live.ticket = t;
    if (t.attendee_id) cfg.meAttendeeId = t.attendee_id;   // the chair's / an organiser's row may be new
    if (t.grid_sites) cfg.gridSites = t.grid_sites;
    hideServerMessages();
    if (!t.admitted) {
      live.phase = 'lobby';
      setStatus('');
      notice('warning', S.lobby);
      return;
    }
    notice('', '');
    await connect(t);
  }

  async function connect(t) {
    live.phase = 'connecting';
    await initJanus();
    if (!Janus.isWebrtcSupported()) {
      live.phase = 'error';
      notice('danger', fmt(S.fatalError, { error: 'WebRTC' }));
      return;
    }
    live.janus = new Janus({
      server: t.janus_url,
      token: t.token,
      iceServers: t.ice_servers || [],
      destroyOnUnload: false,   // we destroy on pagehide ourselves (and tell the platform)
      success: () => attachPublisher(t),
      error: (err) => onJanusError(err),
      destroyed: () => {},
    });
  }

  function onJanusError(err) {
    if (['left', 'removed', 'ended', 'error'].indexOf(live.phase) >= 0) return;
    notice('warning', fmt(S.janusError, { error: err && err.message ? err.message : String(err) }));
    teardown();
    live.phase = 'idle';
    live.retryAt = Date.now() + 5000;
  }

  function attachPublisher(t) {
    live.phase = 'joining';
    setStatus(S.joining);
    live.janus.attach({
      plugin: 'janus.plugin.videoroom',
      opaqueId: 'tongban-' + t.attendee_id,
      success: (handle) => {
        live.pub = handle;
        const msg = { request: 'join', ptype: 'publisher', room: t.room, token: t.join_token, display: t.display };
        if (roomPin()) msg.pin = roomPin();
        handle.send({ message: msg });
      },
      error: (err) => onJanusError(err),
      onmessage: onPublisherMessage,
      onlocaltrack: onLocalTrack,
      onremotetrack: () => {},
      oncleanup: () => {},
    });
  }

  function onPublisherMessage(msg, jsep) {
    const ev = msg.videoroom;
    if (ev === 'joined') {
      live.myFeed = msg.id;
      live.privateId = msg.private_id;
      publish(true);
      (msg.publishers || []).forEach(subscribeTo);
    } else if (ev === 'event') {
      if (msg.error) {
        // 433 unauthorized (the ticket's token), 426 no such room …
        if (!live.myFeed) {
          live.phase = 'error';
          notice('danger', fmt(S.fatalError, { error: msg.error }));
          teardown();
          return;
        }
        notice('warning', fmt(S.actionFailed, { error: msg.error }));
      }
      (msg.publishers || []).forEach(subscribeTo);
      if (msg.unpublished !== undefined && msg.unpublished !== 'ok') dropFeed(msg.unpublished);
      if (msg.leaving !== undefined) {
        if (msg.leaving === 'ok') {
          if (msg.reason === 'kicked') { showRemoved(); return; }
        } else {
          dropFeed(msg.leaving);
        }
      }
    } else if (ev === 'destroyed') {
      showEnded();
      return;
    }
    if (jsep && live.pub) live.pub.handleRemoteJsep({ jsep: jsep });
    if (ev === 'event' && msg.configured === 'ok' && !live.published) onPublished(msg.streams);
  }

  function publish(withVideo) {
    setStatus(S.publishing);
    const tracks = [{ type: 'audio', capture: true, recv: false }];
    if (withVideo) tracks.push({ type: 'video', capture: true, recv: false });
    live.pub.createOffer({
      tracks: tracks,
      success: (jsep) => live.pub.send({ message: { request: 'publish' }, jsep: jsep }),
      error: (err) => {
        if (withVideo) {
          // no camera (or refused): try with the microphone only
          publish(false);
          return;
        }
        notice('warning', fmt(S.mediaError, { error: err && err.message ? err.message : String(err) }));
        enterRoom();   // still see and hear the others
      },
    });
  }

  function midsOf(streams) {
    const mids = {};
    (streams || []).forEach((s) => {
      if ((s.type === 'audio' || s.type === 'video') && !(s.type in mids) && s.mid !== undefined) mids[s.type] = String(s.mid);
    });
    const pc = live.pub && live.pub.webrtcStuff && live.pub.webrtcStuff.pc;
    if (pc && pc.getTransceivers) {
      pc.getTransceivers().forEach((tr) => {
        const track = tr.sender && tr.sender.track;
        const kind = track ? track.kind : null;
        if (kind && !(kind in mids) && tr.mid !== null && tr.mid !== undefined) mids[kind] = String(tr.mid);
      });
    }
    return mids;
  }

  async function onPublished(streams) {
    live.published = true;
    try {
      await apiRetry('POST', cfg.urls.joined, { feed: live.myFeed, mids: midsOf(streams) });
    } catch (e) {
      notice('warning', fmt(S.actionFailed, { error: e.message }));
    }
    enterRoom();
  }

  function enterRoom() {
    live.phase = 'in';
    setStatus(S.inRoom);
    ['live-mic', 'live-cam', 'live-leave'].forEach((id) => { const b = $(id); if (b) b.disabled = false; });
    applyMyFlags();
    pollState();
  }

  function onLocalTrack(track, on) {
    const tile = ensureSelfTile();
    const video = tile.querySelector('video');
    if (track.kind !== 'video') return;
    if (on) {
      video.srcObject = new MediaStream([track]);
      tile.dataset.hasVideo = '1';
      playAll(tile);
    } else {
      video.srcObject = null;
      tile.dataset.hasVideo = '0';
    }
  }

  // --- subscribing ------------------------------------------------------------------------------

  function subscribeTo(p) {
    if (!p || p.dummy || p.id === live.myFeed || live.subs.has(p.id) || !live.janus) return;
    const attendeeId = parseDisplay(p.display);
    if (attendeeId === null) return;
    // the same site joining again (a reload): its old feed goes
    live.subs.forEach((s) => { if (s.attendeeId === attendeeId) dropFeed(s.feed, true); });
    const sub = { feed: p.id, attendeeId: attendeeId, handle: null };
    live.subs.set(p.id, sub);
    const tile = remoteTile(attendeeId);
    layout();
    live.janus.attach({
      plugin: 'janus.plugin.videoroom',
      opaqueId: 'tongban-sub-' + cfg.meAttendeeId,
      success: (handle) => {
        sub.handle = handle;
        if (!live.subs.has(p.id)) { handle.detach(); return; }
        const msg = {
          request: 'join', ptype: 'subscriber', room: live.ticket.room, streams: [{ feed: p.id }],
          private_id: live.privateId, token: live.ticket.join_token,
        };
        if (roomPin()) msg.pin = roomPin();
        handle.send({ message: msg });
      },
      error: (err) => { notice('warning', fmt(S.actionFailed, { error: String(err) })); },
      onmessage: (msg, jsep) => {
        if (msg.error) { dropFeed(p.id); return; }
        if (jsep && sub.handle) {
          sub.handle.createAnswer({
            jsep: jsep,
            tracks: [{ type: 'data' }],   // audio and video are accepted receive-only
            success: (answer) => sub.handle.send({ message: { request: 'start', room: live.ticket.room }, jsep: answer }),
            error: (err) => notice('warning', fmt(S.actionFailed, { error: String(err) })),
          });
        }
      },
      onremotetrack: (track, mid, on) => {
        const t = live.tiles.get(attendeeId) || tile;
        const el = t.querySelector(track.kind === 'video' ? 'video' : 'audio');
        if (!el) return;
        if (on) {
          el.srcObject = new MediaStream([track]);
          if (track.kind === 'video') t.dataset.hasVideo = '1';
          playAll(t);
        } else if (el.srcObject && el.srcObject.getTracks().indexOf(track) >= 0) {
          el.srcObject = null;
          if (track.kind === 'video') t.dataset.hasVideo = '0';
        }
      },
      oncleanup: () => {},
    });
  }

  function dropFeed(feed, keepTile) {
    const sub = live.subs.get(feed);
    if (!sub) return;
    live.subs.delete(feed);
    if (sub.handle) { try { sub.handle.detach(); } catch (e) { /* gone already */ } }
    if (!keepTile) {
      const tile = live.tiles.get(sub.attendeeId);
      if (tile) { tile.remove(); live.tiles.delete(sub.attendeeId); }
      layout();
    }
  }

  function teardown() {
    live.subs.forEach((s) => { live.subs.delete(s.feed); });
    live.tiles.forEach((tile) => tile.remove());
    live.tiles.clear();
    if (live.janus) {
      try { live.janus.destroy({ cleanupHandles: true, notifyDestroyed: false }); } catch (e) { /* ignore */ }
    }
    live.janus = null;
    live.pub = null;
    live.myFeed = null;
    live.privateId = null;
    live.published = false;
    if (live.selfTile) { live.selfTile.remove(); live.selfTile = null; }
    ['live-mic', 'live-cam', 'live-leave'].forEach((id) => { const b = $(id); if (b) b.disabled = true; });
    layout();
  }

  function showRemoved() {
    const wasIn = live.janus !== null;
    live.phase = 'removed';
    teardown();
    if (wasIn) api('POST', cfg.urls.left, {}).catch(() => {});
    setStatus('');
    notice('danger', S.removed);
    stopPolling();
  }

  function showEnded() {
    live.phase = 'ended';
    teardown();
    setStatus('');
    notice('secondary', S.ended);
    stopPolling();
  }

  async function leave() {
    if (live.phase === 'left') return;
    const wasIn = live.janus !== null;
    live.phase = 'left';
    teardown();
    stopPolling();
    if (wasIn) { try { await api('POST', cfg.urls.left, {}); } catch (e) { /* the room notices anyway */ } }
    setStatus('');
    const el = $('live-notice');
    notice('secondary', S.left + ' ');
    const again = document.createElement('button');
    again.type = 'button';
    again.className = 'btn btn-sm btn-outline-primary ms-2';
    again.textContent = S.rejoin;
    again.addEventListener('click', () => window.location.reload());
    el.appendChild(again);
  }

  // --- my microphone and camera -----------------------------------------------------------------

  function applyMyFlags() {
    const mic = $('live-mic');
    const cam = $('live-cam');
    const pub = live.pub;
    const micOff = live.chairMuted || live.selfMuted;
    const camOff = live.chairCamOff || live.selfCamOff;
    if (pub && live.published) {
      try {
        if (micOff && !pub.isAudioMuted()) pub.muteAudio();
        if (!micOff && pub.isAudioMuted()) pub.unmuteAudio();
        if (camOff && !pub.isVideoMuted()) pub.muteVideo();
        if (!camOff && pub.isVideoMuted()) pub.unmuteVideo();
      } catch (e) { /* a track that is not there (audio-only) */ }
    }
    if (mic) {
      mic.setAttribute('aria-pressed', micOff ? 'true' : 'false');
      mic.querySelector('span').textContent = micOff ? S.unmute : S.mute;
      mic.querySelector('i').className = micOff ? 'bi bi-mic-mute-fill' : 'bi bi-mic-fill';
      mic.classList.toggle('btn-warning', micOff);
      mic.classList.toggle('btn-outline-secondary', !micOff);
      mic.disabled = live.phase !== 'in' || live.chairMuted;
      mic.title = live.chairMuted ? S.mutedByChair : '';
    }
    if (cam) {
      cam.setAttribute('aria-pressed', camOff ? 'true' : 'false');
      cam.querySelector('span').textContent = camOff ? S.camOn : S.camOff;
      cam.querySelector('i').className = camOff ? 'bi bi-camera-video-off-fill' : 'bi bi-camera-video-fill';
      cam.classList.toggle('btn-warning', camOff);
      cam.classList.toggle('btn-outline-secondary', !camOff);
      cam.disabled = live.phase !== 'in' || live.chairCamOff;
      cam.title = live.chairCamOff ? S.videoOffByChair : '';
    }
    if (live.selfTile) {
      live.selfTile.dataset.audioMuted = micOff ? '1' : '0';
      live.selfTile.dataset.videoOff = camOff ? '1' : '0';
    }
    const box = $('live-chair-notice');
    if (box) {
      const lines = [];
      if (live.chairMuted) lines.push(S.mutedByChair);
      if (live.chairCamOff) lines.push(S.videoOffByChair);
      box.querySelector('span').textContent = lines.join(' ');
      box.hidden = lines.length === 0;
    }
  }

  function bindControls() {
    const mic = $('live-mic');
    const cam = $('live-cam');
    const leaveBtn = $('live-leave');
    if (mic) mic.addEventListener('click', () => { if (!live.chairMuted) { live.selfMuted = !live.selfMuted; applyMyFlags(); } });
    if (cam) cam.addEventListener('click', () => { if (!live.chairCamOff) { live.selfCamOff = !live.selfCamOff; applyMyFlags(); } });
    if (leaveBtn) leaveBtn.addEventListener('click', () => { leave(); });
    const sound = $('live-sound');
    if (sound) sound.addEventListener('click', () => { sound.hidden = true; live.tiles.forEach((t) => playAll(t)); });
    const panel = $('live-participants');
    if (panel) panel.addEventListener('click', onPanelClick);
    const rec = $('live-rec');
    if (rec) rec.addEventListener('click', () => chairAction(cfg.urls.recording, { on: rec.dataset.on !== '1' }, rec));
  }

  // --- the room's state ---------------------------------------------------------------------------

  function stopPolling() {
    if (live.pollTimer) { clearTimeout(live.pollTimer); live.pollTimer = null; }
  }

  function schedulePoll() {
    stopPolling();
    if (['removed', 'ended', 'left', 'error'].indexOf(live.phase) >= 0) return;
    live.pollTimer = setTimeout(pollState, cfg.pollMs || 2000);
  }

  let polling = false;
  async function pollState() {
    if (polling) return;
    polling = true;
    try {
      const st = await api('GET', cfg.urls.state);
      applyState(st);
    } catch (e) {
      if (e.status === 403 && e.code === 'meetings.removed') showRemoved();
      else if (e.status === 403 || e.status === 404) { live.phase = 'error'; notice('danger', fmt(S.fatalError, { error: e.message })); }
    } finally {
      polling = false;
      schedulePoll();
    }
  }

  function applyState(st) {
    live.state = st;
    const me = st.me || {};
    if (me.removed) { showRemoved(); return; }
    if (live.phase === 'in' && st.room_open === false) { showEnded(); return; }
    const rec = $('live-rec-badge');
    if (rec) rec.hidden = !st.recording;
    const recBtn = $('live-rec');
    if (recBtn) {
      recBtn.dataset.on = st.recording ? '1' : '0';
      recBtn.querySelector('span').textContent = st.recording ? S.recStop : S.recStart;
    }
    // the chair's holds on my microphone and camera
    const wasMuted = live.chairMuted;
    const wasOff = live.chairCamOff;
    live.chairMuted = !!me.audio_muted;
    live.chairCamOff = !!me.video_off;
    // when the chair lets go, the microphone / camera stays off until I open it myself
    if (wasMuted && !live.chairMuted) live.selfMuted = true;
    if (wasOff && !live.chairCamOff) live.selfCamOff = true;
    applyMyFlags();
    // the sites' labels and icons, the main site
    (st.participants || []).forEach((p) => {
      const tile = live.tiles.get(p.attendee_id);
      if (tile) labelTile(tile, p);
    });
    layout();
    renderPanel(st);
    // moving between phases
    if ((live.phase === 'idle' || live.phase === 'notopen') && Date.now() >= live.retryAt) {
      if (st.room_open) getTicket();
      else if (live.phase !== 'notopen') { live.phase = 'notopen'; notice('info', S.notOpen); }
    } else if (live.phase === 'lobby' && me.admitted) {
      getTicket();
    }
  }

  // --- the chair's panel --------------------------------------------------------------------------

  function statusText(p) {
    if (p.removed) return S.removedShort;
    if (p.waiting) return S.waiting;
    return p.online ? S.online : S.offline;
  }

  function btn(label, action, id, value, cls) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn ' + (cls || 'btn-outline-secondary');
    b.textContent = label;
    b.dataset.action = action;
    b.dataset.id = String(id);
    if (value !== undefined) b.dataset.value = value ? '1' : '0';
    return b;
  }

  function renderPanel(st) {
    const list = $('live-participants');
    if (!list) return;
    const key = JSON.stringify([st.participants, st.main_attendee]);
    if (key === live.panelKey) return;
    live.panelKey = key;
    list.textContent = '';
    const mainId = mainAttendeeId();
    (st.participants || []).forEach((p) => {
      const li = document.createElement('li');
      li.className = 'list-group-item';
      li.dataset.attendee = String(p.attendee_id);
      const head = document.createElement('div');
      head.className = 'd-flex align-items-center gap-2';
      const name = document.createElement('span');
      name.className = 'fw-semibold text-truncate';
      name.textContent = p.role === 'terminal' && p.venue ? p.venue : p.name;
      const sub = document.createElement('span');
      sub.className = 'small text-muted text-truncate';
      sub.textContent = p.unit || '';
      const status = document.createElement('span');
      status.className = 'badge ms-auto ' + (p.removed ? 'text-bg-dark' : p.waiting ? 'text-bg-warning' : p.online ? 'text-bg-success' : 'text-bg-light');
      status.textContent = statusText(p);
      head.append(name, sub, status);
      if (p.audio_muted) { const i = document.createElement('i'); i.className = 'bi bi-mic-mute-fill text-danger'; i.setAttribute('role', 'img'); i.setAttribute('aria-label', S.mutedShort); head.insertBefore(i, status); }
      if (p.video_off) { const i = document.createElement('i'); i.className = 'bi bi-camera-video-off-fill text-danger'; i.setAttribute('role', 'img'); i.setAttribute('aria-label', S.videoOffShort); head.insertBefore(i, status); }
      li.appendChild(head);
      if (!p.removed) {
        const row = document.createElement('div');
        row.className = 'tb-live-pbtns';
        if (p.waiting) row.appendChild(btn(S.admit, 'admit', p.attendee_id, undefined, 'btn-success'));
        row.appendChild(btn(p.audio_muted ? S.unmuteP : S.muteP, 'audio', p.attendee_id, !p.audio_muted));
        row.appendChild(btn(p.video_off ? S.videoOnP : S.videoOffP, 'camera', p.attendee_id, !p.video_off));
        if (p.attendee_id === mainId) {
          const b = btn(S.isMain, 'main', p.attendee_id, undefined, 'btn-danger');
          b.disabled = true;
          row.appendChild(b);
        } else {
          row.appendChild(btn(S.setMain, 'main', p.attendee_id));
        }
        if (p.attendee_id !== cfg.meAttendeeId) row.appendChild(btn(S.remove, 'remove', p.attendee_id, undefined, 'btn-outline-danger'));
        li.appendChild(row);
      }
      list.appendChild(li);
    });
  }

  function onPanelClick(ev) {
    const b = ev.target.closest('button[data-action]');
    if (!b) return;
    const id = parseInt(b.dataset.id, 10);
    const base = cfg.urls.participant + id + '/';
    const action = b.dataset.action;
    if (action === 'audio') chairAction(base + 'audio', { muted: b.dataset.value === '1' }, b);
    else if (action === 'camera') chairAction(base + 'camera', { off: b.dataset.value === '1' }, b);
    else if (action === 'admit') chairAction(base + 'admit', {}, b);
    else if (action === 'main') chairAction(cfg.urls.main, { attendee_id: id }, b);
    else if (action === 'remove') {
      const p = participant(id);
      if (window.confirm(fmt(S.confirmRemove, { name: p ? p.name : id }))) chairAction(base + 'remove', {}, b);
    }
  }

  async function chairAction(url, body, button) {
    if (button) button.disabled = true;
    try {
      await api('POST', url, body);
      live.panelKey = '';
      await pollState();
    } catch (e) {
      notice('danger', fmt(S.actionFailed, { error: e.message }));
    } finally {
      if (button) button.disabled = false;
    }
  }

  // --- for tests and the page's life -----------------------------------------------------------------

  window.tbLive = {
    async framesDecoded() {
      let n = 0;
      for (const sub of live.subs.values()) {
        const pc = sub.handle && sub.handle.webrtcStuff && sub.handle.webrtcStuff.pc;
        if (!pc) continue;
        const stats = await pc.getStats();
        stats.forEach((r) => {
          if (r.type === 'inbound-rtp' && (r.kind === 'video' || r.mediaType === 'video')) n += r.framesDecoded || 0;
        });
      }
      return n;
    },
    subscribedFeeds() { return Array.from(live.subs.keys()); },
    get state() { return live.state; },
    get phase() { return live.phase; },
    get myFeed() { return live.myFeed; },
    leave: leave,
  };

  window.addEventListener('pagehide', () => {
    if (!live.janus) return;
    try {
      fetch(cfg.urls.left, {
        method: 'POST', credentials: 'same-origin', keepalive: true,
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() }, body: '{}',
      });
    } catch (e) { /* nothing more can be done while the page goes */ }
    try { live.janus.destroy({ unload: true, notifyDestroyed: false }); } catch (e) { /* ignore */ }
    live.janus = null;
  });

  bindControls();
  if (cfg.state === 'ready' || cfg.state === 'not_open') {
    live.phase = cfg.state === 'ready' ? 'idle' : 'notopen';
    pollState();
  }
})();
