import { useAppStateOrNull } from './state/store';
import { Shell } from './shell/Shell';

export function App() {
  const state = useAppStateOrNull();
  if (!state) {
    return (
      <div role="status" style={{ display: 'grid', placeItems: 'center', height: '100%' }}>
        Loading Loupe…
      </div>
    );
  }
  return <Shell />;
}
