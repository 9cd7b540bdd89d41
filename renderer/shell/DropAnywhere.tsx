import { useEffect, useState } from 'react';
import { ErrorText } from '../components/ErrorText';
import { useStageDropped } from '../ipc/call';
import { navigate } from '../state/navigation';
import styles from './DropAnywhere.module.css';

const hasFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');

/** Photos dropped on any screen open Analyse and are added to the list there. */
export function DropAnywhere() {
  const [over, setOver] = useState(false);
  const { stage, error } = useStageDropped();
  useEffect(() => {
    // dragenter/dragleave fire for every child crossed; count them to know when the pointer left the window.
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth += 1;
      setOver(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overHandler = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const drop = (e: DragEvent) => {
      depth = 0;
      setOver(false);
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      e.preventDefault();
      navigate('analyse');
      // The files themselves go to the preload, which stages them: no command takes a path from the window.
      void stage(files);
    };
    document.addEventListener('dragenter', enter);
    document.addEventListener('dragleave', leave);
    document.addEventListener('dragover', overHandler);
    document.addEventListener('drop', drop);
    return () => {
      document.removeEventListener('dragenter', enter);
      document.removeEventListener('dragleave', leave);
      document.removeEventListener('dragover', overHandler);
      document.removeEventListener('drop', drop);
    };
  }, [stage]);
  return (
    <>
      {over && (
        <div className={styles.overlay} aria-hidden="true">
          <p>Drop photos or folders to analyse them</p>
        </div>
      )}
      {error && (
        <div className={styles.toast}>
          <ErrorText error={error} />
        </div>
      )}
    </>
  );
}
