import type { Notice } from '../../electron/contract';
import { call } from '../api';

export function Notices({ notices }: { notices: Notice[] }) {
  if (notices.length === 0) return null;
  return (
    <div className="notices">
      {notices.map((notice) => (
        <div key={notice.id} className={`notice notice-${notice.level}`} role={notice.level === 'error' ? 'alert' : 'status'}>
          <span>{notice.message}</span>
          <button type="button" className="link" onClick={() => void call('notices.dismiss', { id: notice.id })}>
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
