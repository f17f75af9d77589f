package bot

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// Bounds of the question memory: a user's own questions, and the users
// remembered (the least recently asking one is forgotten first), so that
// at most maxQuestionUsers × maxQuestionsPerUser questions are kept.
const (
	maxQuestionsPerUser = 10
	maxQuestionUsers    = 1000
)

// askedQuestions remembers the answered questions that /ask's
// autocomplete offers, each with who asked it, where, and whether everyone
// there saw it. A user is offered their own questions; another user only
// the public ones asked in the same server, and only when the server opts
// in. A question asked with private: true or in a DM is never offered to
// anyone but its asker.
type askedQuestions struct {
	mu      sync.Mutex
	perUser int
	users   int
	seq     uint64
	byUser  map[string]*userQuestions
}

type userQuestions struct {
	qs []askedQuestion // newest first; never empty
}

type askedQuestion struct {
	text  string
	guild string // "" in a DM
	// public: asked where everyone in guild saw it (not private, not a DM).
	public bool
	seq    uint64
}

func newAskedQuestions(perUser, users int) *askedQuestions {
	return &askedQuestions{perUser: perUser, users: users, byUser: map[string]*userQuestions{}}
}

// remember records that user asked question in guild ("" for a DM);
// public says everyone there saw it. Asking again moves the question to
// the front and takes the visibility of the new asking.
func (m *askedQuestions) remember(user, guild, question string, public bool) {
	question = strings.Join(strings.Fields(question), " ")
	if user == "" || question == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	u := m.byUser[user]
	if u == nil {
		u = &userQuestions{}
		m.byUser[user] = u
	}
	u.qs = slices.DeleteFunc(u.qs, func(q askedQuestion) bool { return strings.EqualFold(q.text, question) })
	u.qs = slices.Insert(u.qs, 0, askedQuestion{text: question, guild: guild, public: public && guild != "", seq: m.seq})
	if len(u.qs) > m.perUser {
		u.qs = u.qs[:m.perUser]
	}
	if len(m.byUser) > m.users {
		m.forgetLeastRecent()
	}
}

// forgetLeastRecent drops the user who asked least recently.
func (m *askedQuestions) forgetLeastRecent() {
	var oldest string
	var at uint64
	for id, u := range m.byUser {
		if last := u.qs[0].seq; oldest == "" || last < at {
			oldest, at = id, last
		}
	}
	delete(m.byUser, oldest)
}

// visible returns the questions user may be offered when asking in guild
// ("" for a DM), best first: their own, newest first, then, when
// othersPublic, the public questions others asked in the same guild,
// newest first.
func (m *askedQuestions) visible(user, guild string, othersPublic bool) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	if u := m.byUser[user]; u != nil && user != "" {
		for _, q := range u.qs {
			out = append(out, q.text)
		}
	}
	if !othersPublic || guild == "" {
		return out
	}
	var public []askedQuestion
	for id, u := range m.byUser {
		if id == user {
			continue
		}
		for _, q := range u.qs {
			if q.public && q.guild == guild {
				public = append(public, q)
			}
		}
	}
	slices.SortFunc(public, func(a, b askedQuestion) int { return cmp.Compare(b.seq, a.seq) })
	for _, q := range public {
		out = append(out, q.text)
	}
	return out
}
