import { Notice } from '../../components/Notice';
import { selectCan, selectJobs, selectStaged } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { JobCard } from './JobCard';
import { JobForm } from './JobForm';
import { Staging } from './Staging';
import styles from './AnalyseScreen.module.css';
import { Screen } from '../../components/Screen';

export function AnalyseScreen() {
  const can = useAppState(selectCan);
  const staged = useAppState(selectStaged);
  const jobs = useAppState(selectJobs);
  return (
    <Screen labelledBy="analyse-title" width="wide">
      <h1 id="analyse-title">Analyse photos</h1>
      {!can.analyse.allowed && (
        <Notice level="info" testId="cannot-analyse">
          {can.analyse.reason} You can already add photos here.
        </Notice>
      )}
      <Staging />
      {staged.length > 0 && <JobForm />}
      {jobs.length > 0 && (
        <section className={styles.jobs} aria-labelledby="jobs-title">
          <h2 id="jobs-title">Jobs</h2>
          {jobs.map((job) => (
            <JobCard key={job.id} job={job} />
          ))}
        </section>
      )}
    </Screen>
  );
}
