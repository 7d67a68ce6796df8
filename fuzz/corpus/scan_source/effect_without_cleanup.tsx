import React, { useEffect, useState } from 'react';

export function Live({ url }: { url: string }) {
  const [data, setData] = useState(null);
  useEffect(() => { // positive
    const ws = new WebSocket(url);
    ws.onmessage = (e) => setData(JSON.parse(e.data));
  }, [url]);
  useEffect(() => { // positive
    window.addEventListener('resize', onResize);
  }, []);
  // negative
  useEffect(() => {
    const id = setInterval(tick, 1000);
    return () => clearInterval(id);
  }, []);
  useEffect(() => {
    document.title = String(data);
  }, [data]);
  return <div>{String(data)}</div>;
}
