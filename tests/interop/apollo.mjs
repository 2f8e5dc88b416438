// node apollo.mjs URL SUBSCRIBER_TOKEN LIKER_TOKEN TWEET_ID: Apollo Client's plain HttpLink
// (multipart subscriptions, no extra package) subscribes to a tweet's engagement as one user,
// then likes the tweet through another client as a second user. Prints each subscription result
// as one JSON line and exits after the like shows, or prints {"error": ...} and exits 1.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";

const [url, subscriberToken, likerToken, tweetId] = process.argv.slice(2);
const clientFor = (token) =>
  new ApolloClient({
    cache: new InMemoryCache(),
    link: new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` } }),
  });
const subscriber = clientFor(subscriberToken);
const liker = clientFor(likerToken);

const ENGAGEMENT = gql`
  subscription Engagement($tweetId: ID!) {
    engagement(tweetId: $tweetId) { tweetId likes }
  }
`;
const LIKE = gql`
  mutation Like($tweetId: ID!) {
    likeTweet(tweetId: $tweetId) { tweetId likes }
  }
`;

const fail = (err) => { console.log(JSON.stringify({ error: String(err?.message ?? err) })); process.exit(1); };
const timer = setTimeout(() => fail("timeout"), 15000);
let seen = 0;
const subscription = subscriber.subscribe({ query: ENGAGEMENT, variables: { tweetId } }).subscribe({
  next: (result) => {
    console.log(JSON.stringify({ data: result.data, error: result.error?.message }));
    seen += 1;
    if (seen === 1) liker.mutate({ mutation: LIKE, variables: { tweetId } }).catch(fail);
    if (seen === 2) {
      clearTimeout(timer);
      subscription.unsubscribe();
      process.exit(0);
    }
  },
  error: fail,
  complete: () => fail("completed early"),
});
